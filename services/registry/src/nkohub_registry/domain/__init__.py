"""The registry service's domain model and rules (pure: no I/O).

- ``identifiers``: ОГРН, ИНН, КПП and their check digits;
- ``vocabulary``: legal forms, activity areas, statuses, needs, specialists (Russian labels);
- ``organizations``: the organization model, its public and staff views, its events;
- ``people``: people, their 152-ФЗ consents and erasure;
- ``needs``: the needs survey and its report;
- ``history``: the history read model (meetups, presentations, consultations, grants).
"""
