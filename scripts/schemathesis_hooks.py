"""Schemathesis hooks for scripts/schemathesis.sh (T-IN-1).

The .xlsx imports take the workbook as the raw request body: their generated bodies are sent
as bytes, as for application/octet-stream (the server must refuse what is not a workbook of
the expected columns with 422).
"""

import schemathesis

schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)
