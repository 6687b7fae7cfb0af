"""The cache's key prefix follows the code: after a deploy that changes a template or a module, nothing cached
by the old code is read (a page would show the old layout, an unpickled object miss new attributes)."""

from config.release import code_stamp


def _project(tmp_path):
    (tmp_path / "scheduling" / "templates").mkdir(parents=True)
    (tmp_path / "scheduling" / "migrations").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "scheduling" / "views.py").write_text("def page(): ...\n")
    (tmp_path / "scheduling" / "templates" / "page.html").write_text("<table>{{ rows }}</table>\n")
    (tmp_path / "scheduling" / "migrations" / "0001_initial.py").write_text("# schema\n")
    (tmp_path / "tests" / "test_page.py").write_text("def test(): ...\n")
    return tmp_path


def test_a_changed_template_or_module_changes_the_stamp_and_nothing_else_does(tmp_path):
    base = _project(tmp_path)
    first = code_stamp(base)
    assert code_stamp(base) == first  # the same code: processes share it

    (base / "tests" / "test_page.py").write_text("def test(): assert True\n")
    (base / "scheduling" / "migrations" / "0001_initial.py").write_text("# schema, reformatted\n")
    assert code_stamp(base) == first

    (base / "scheduling" / "templates" / "page.html").write_text("<div class='grid'>{{ rows }}</div>\n")
    after_template = code_stamp(base)
    assert after_template != first
    (base / "scheduling" / "views.py").write_text("def page(): return 1\n")
    assert code_stamp(base) != after_template
