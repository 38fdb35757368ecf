"""The node-link diagram scene shared by driver diagrams and (next) fishbones: items that
mirror the stored model, a view with zoom and rubber-band selection, export to PNG/SVG."""
