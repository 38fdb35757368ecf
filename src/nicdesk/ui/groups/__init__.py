"""Student groups (issue #21): the network's groups page and a site's enrolment section."""
