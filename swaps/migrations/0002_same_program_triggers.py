from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram


class Migration(migrations.Migration):
    """Database triggers: a swap's year and people, a leg's swap, people and block, and a move's swap belong to
    the row's program, and rows never change program."""

    dependencies = [("swaps", "0001_initial")]

    operations = [
        EnforceSameProgram("swap", ["academic_year", "requester", "version"]),
        EnforceSameProgram("swapleg", ["swap", "giver", "taker", "block"]),
        EnforceSameProgram("swapmove", ["swap"]),
        FreezeProgram("swap"),
        FreezeProgram("swapleg"),
        FreezeProgram("swapmove"),
    ]
