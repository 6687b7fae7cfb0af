"""Certifications and procedure credentials that make people eligible for sessions."""
