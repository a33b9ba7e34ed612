"""One router per resource of an exercise."""
