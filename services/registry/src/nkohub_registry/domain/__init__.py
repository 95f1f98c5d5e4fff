"""The registry service's domain model and rules (pure: no I/O).

- ``identifiers``: ОГРН, ИНН, КПП and their check digits;
- ``fields``: field types of the forms (one-line texts, e-mail, phone, codes);
- ``words``: the normalised words the search and the import compare;
- ``vocabulary``: legal forms, activity areas, statuses, needs, specialists (Russian
  labels), and how the import reads them;
- ``organizations``: the organization model, its changes and events, public/staff views;
- ``table``: the export's columns and how an imported row becomes field values;
- ``people``: people, their 152-ФЗ consents and erasure;
- ``needs``: the needs survey and its report;
- ``history``: the history read model (meetups, presentations, consultations, grants).
"""
