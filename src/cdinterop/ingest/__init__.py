"""Ingestion of citizen-data submissions (KoboToolbox/ODK exports) into unit records."""
