"""妇幼健康月报 — maternal and child health monthly data (DOMAIN.md §4)."""
