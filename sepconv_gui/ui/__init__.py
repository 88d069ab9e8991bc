"""Qt widgets. They show state and report what the user changed; they never compute."""
