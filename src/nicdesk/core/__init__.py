"""Pure domain layer: entities, clocks, merge and rules. No Qt, no SQL, no file I/O."""
