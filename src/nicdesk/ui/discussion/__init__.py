"""The network's conversations: the Inbox and the coordinator's Coaching page."""
