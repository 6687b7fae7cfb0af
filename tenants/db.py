"""Database-level tenancy: a migration operation that keeps related rows in one program.

`EnforceSameProgram("blockassignment", ["person", "block", "rotation"])` installs a trigger
(PostgreSQL and SQLite) that refuses an insert or update whose related rows belong to a
different program than the row itself, so no code path can mix two programs' data.
"""

from django.db.migrations.operations.base import Operation


class EnforceSameProgram(Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"model_name": self.model_name, "fields": self.fields})

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return f"Keep {self.model_name}.{', '.join(self.fields)} in the row's program"

    def _name(self, table: str) -> str:
        return f"{table}_same_program"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        vendor = schema_editor.connection.vendor
        distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
        conditions = []
        for name in self.fields:
            field = model._meta.get_field(name)
            related = field.related_model._meta
            conditions.append(
                f"(NEW.{field.column} IS NOT NULL AND (SELECT program_id FROM {related.db_table} "
                f"WHERE {related.pk.column} = NEW.{field.column}) {distinct} NEW.program_id)"
            )
        condition = " OR ".join(conditions)
        message = f"{model._meta.verbose_name}: {', '.join(self.fields)} must belong to the same program"
        name = self._name(table)
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger AS $$ BEGIN "
                f"IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = '23514'; END IF; "
                f"RETURN NEW; END; $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}_fn()"
            )
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW "
                    f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
        else:
            raise NotImplementedError(f"EnforceSameProgram does not support {vendor}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        name = self._name(table)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
        else:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


class FreezeProgram(Operation):
    """Refuse any update that moves a row to another program (its children would be left behind).

    `FreezeProgram("person")` installs a BEFORE UPDATE trigger on PostgreSQL and SQLite.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"model_name": self.model_name})

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return f"Freeze the program of {self.model_name} rows"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        name = f"{table}_program_frozen"
        message = f"{model._meta.verbose_name}: a row cannot move to another program"
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.program_id IS DISTINCT FROM OLD.program_id THEN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = '23514'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}_fn()"
            )
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OF program_id ON {table} FOR EACH ROW "
                f"WHEN NEW.program_id IS NOT OLD.program_id BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        else:
            raise NotImplementedError(f"FreezeProgram does not support {schema_editor.connection.vendor}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        name = f"{table}_program_frozen"
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class AppendOnly(Operation):
    """Refuse UPDATE and DELETE of a table's rows on PostgreSQL (nothing on other databases).

    Two exceptions: clearing `unlink` columns alone (Django's SET_NULL when the user or program a row names
    is deleted), and DELETE inside a transaction that ran `SET LOCAL <setting> = 'on'` (the purge command).
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, unlink: list[str], setting: str) -> None:
        self.model_name = model_name
        self.unlink = unlink
        self.setting = setting

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "unlink": self.unlink, "setting": self.setting}
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state) -> None:
        pass

    def describe(self) -> str:
        return f"Make {self.model_name} rows append-only"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        columns = [model._meta.get_field(name).column for name in self.unlink]
        others = "".join(f" - '{column}'" for column in columns)
        cleared = " AND ".join(f"(NEW.{c} IS NULL OR NEW.{c} = OLD.{c})" for c in columns)
        message = f"{model._meta.verbose_name} rows are append-only: % refused"
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {table}_append_only_fn() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' AND current_setting('{self.setting}', true) = 'on' THEN RETURN OLD; END IF; "
            f"IF TG_OP = 'UPDATE' AND (to_jsonb(NEW){others}) = (to_jsonb(OLD){others}) AND {cleared} "
            f"THEN RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{message}', TG_OP USING ERRCODE = '42501'; END; $$ LANGUAGE plpgsql",
            params=None,  # the message's % is PL/pgSQL's placeholder, not the driver's
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only_fn()"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only_fn()")
