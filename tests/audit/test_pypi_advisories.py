"""The advisory fallback calls a pin clean only when it is PyPI's latest release and PyPI lists no advisory."""

from tests.audit.pypi_advisories import judge, pins


def test_lock_lines_become_pins():
    text = "# locked\nDjango==6.1.3\n-e git+https://example/x#egg=x\ncelery==5.7.0 ; python_version>'3'\n\nsix==1.17.0  # why\n"
    assert pins(text) == [("Django", "6.1.3"), ("celery", "5.7.0"), ("six", "1.17.0")]


def test_latest_release_without_advisories_is_checked_and_clean():
    verdict = judge("six", "1.17.0", {"info": {"version": "1.17.0"}, "vulnerabilities": []})
    assert verdict.checked
    assert verdict.advisories == ()


def test_latest_release_with_an_advisory_is_vulnerable():
    project = {"info": {"version": "2.0"}, "vulnerabilities": [{"id": "PYSEC-2026-1"}, {"id": "GHSA-xxxx"}]}
    assert judge("pkg", "2.0", project).advisories == ("PYSEC-2026-1", "GHSA-xxxx")


def test_a_pin_behind_the_latest_release_is_unchecked_not_clean():
    verdict = judge("pkg", "1.0", {"info": {"version": "2.0"}, "vulnerabilities": []})
    assert not verdict.checked
    assert "2.0" in verdict.why


def test_no_answer_is_unchecked():
    assert not judge("pkg", "1.0", None).checked
