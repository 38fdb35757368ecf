"""Operations by feature: each function is one validated, undoable change (diagrams, fishbones, PDSA, meetings, CSV import, conflict choices)."""
