"""The window itself: main window, menus, export dialog, scripted runs."""
