"""The interactive Lab: a local web app whose every number is computed by logitlab.core."""
