"""卫生监督 (DOMAIN.md §5): administrative penalty cases, 双随机 tasks and complaints.

Modules, each named for what it is:

- ``codes``           the codes and their Chinese names
- ``working_days``    the holiday calendar (法定节假日, 调休) and working-day arithmetic (Art. 85)
- ``case_deadlines``  every statutory time limit of a case, overdue cases, the late-payment surcharge
- ``case_stages``     the state machine (立案 → … → 结案) and the other dated entries of a case
- ``case_numbers``    案件文号 per year and category in the configured format
- ``cases``           the case form: input, checks, save (also the future case import's checker)
- ``case_list``       the register as rows: search with filters (incl. overdue), one case in full
- ``random_tasks``    双随机抽查 tasks and completion rates
- ``complaints``      投诉举报 and their summary

The returns SUP-REGISTER, SUP-STATS, SUP-RANDOM and SUP-COMPLAINTS are built in
``core/returns/sup_returns.py``. Nothing here imports Qt.
"""
