"""PySide6 screens. Thin: every rule is in core/; screens call core services, never write SQL."""
