"""The application shell: start-up, the main window, its page registry and actions, the navigator, the welcome dialog, the operation runner, the crash dialog and the single-instance guard."""
