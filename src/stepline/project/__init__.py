"""Project folders: ``stepline.toml`` declares state machines, jobs, functions, queues,
topics, tables, quality rules and pipelines; ``plan`` compares them with the store and
``deploy`` applies the difference (see docs/projects.md)."""
