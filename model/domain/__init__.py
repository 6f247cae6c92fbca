"""The co-sell domain as plain values and pure rules: enums, stages, schemas, errors, rules.

Nothing here touches a database, a clock or a screen; every door (dashboard, CLI,
import, sync) runs these same functions.
"""
