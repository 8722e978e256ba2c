"""One module per area of the main window.

A page is a ``QWidget`` built with ``(ctx: AppContext, parent=None)``. The main window also uses,
when a page has them: ``refresh()`` (F5 and after changes), ``help_topic`` (the help chapter F1
opens: ``"admin"``, ``"admin.html"`` or ``"admin.html#users"``, see resources/help/) and ``confirm_leave() -> bool`` (unsaved changes before the
window closes or the database is switched).
"""
