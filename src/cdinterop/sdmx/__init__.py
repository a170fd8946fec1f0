"""SDMX: CitizenDataset to and from SDMX-ML 2.1 / 3.0 and SDMX-CSV 1.0 / 2.0."""
