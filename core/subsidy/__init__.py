"""计划生育家庭奖励扶助 / 特别扶助 — the recipient register (DOMAIN.md §3)."""
