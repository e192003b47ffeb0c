"""Rendering of issues for readers: web HTML, email HTML, text and Markdown, in one place."""
