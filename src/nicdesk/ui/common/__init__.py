"""Widgets every feature uses: fields that store on edit, the chart view, icons, headings and lock banners."""
