"""The study file: vocabulary, pydantic model and loading with located errors."""
