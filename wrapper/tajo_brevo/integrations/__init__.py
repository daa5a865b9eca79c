"""Running tajo-brevo inside other frameworks (each module needs its own extra).

- :mod:`tajo_brevo.integrations.celery`: many Brevo accounts synced by Celery workers
  (``pip install 'tajo-brevo[celery]'``).
"""
