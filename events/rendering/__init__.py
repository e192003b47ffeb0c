"""Rendering of issues for readers: web HTML, email HTML, text and Markdown live here, in one place."""
