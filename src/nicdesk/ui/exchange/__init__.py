"""Exchange between sites and the hub: export with preview, import, joining and enrolment, conflicts and import history."""
