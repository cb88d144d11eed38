"""The optimization roadmap: levers of the four layers, each re-planned and costed."""
