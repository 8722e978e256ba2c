"""Dialogs and secondary windows opened from the main window's menus."""
