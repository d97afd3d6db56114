"""Attribution: turning what the hot path counted into the profiles of the run result."""
