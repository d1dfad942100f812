"""Chinese text: normalisation, identifiers, PII detection and masking."""
