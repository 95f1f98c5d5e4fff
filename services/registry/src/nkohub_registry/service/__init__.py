"""Use cases of the registry: load through the repositories, decide through the domain,
store with the events through the repositories.

Routes, consumers, the import and the CLI all go through here, so that every change
writes its events in the same single-document write, and every staff edit is remembered
(``hand_edited``) so that an import never overwrites it.

- ``organizations``: create, change, approve, needs, grants, search, history view;
- ``people``: people, consents, erasure (by staff or by the person's signed link);
- ``history``: the history read model fed by the events service's events;
- ``imports`` (with ``tables``, which reads CSV/XLSX): the official-data import.
"""
