"""Meetings and their packets: the meeting editor and the packet builder."""
