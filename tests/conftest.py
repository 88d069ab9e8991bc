import gc
import os
import sys

# Qt tests run headless everywhere; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory):
    """Machine peaks (bench/peaks.py) are cached here, never in the user's cache folder."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("SEPCONV_CACHE_DIR")
    os.environ["SEPCONV_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SEPCONV_CACHE_DIR", None)
    else:
        os.environ["SEPCONV_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, request):
    """Point QSettings at a fresh folder so no test reads or writes the user's settings."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield None
        return
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(folder))
    yield folder


@pytest.fixture
def settings_folder(isolated_settings):
    return isolated_settings


@pytest.fixture
def sweep_fails_at_second_point(monkeypatch):
    """Make the benchmark sweep's second point run out of memory; the first still measures."""
    from sepconv_gui.app import sweep

    real = sweep.measure_point

    def breaks_on_the_second(spec, index, should_stop):
        if index == 1:
            raise MemoryError("Unable to allocate 9 GiB")
        return real(spec, index, should_stop)

    monkeypatch.setattr(sweep, "measure_point", breaks_on_the_second)


# Automatic garbage collection stays off in the test process. It can start in any thread, and
# when it freed a Qt wrapper inside a worker thread (an engine pool thread, a window's
# measuring thread), Shiboken destroyed the Qt object there, holding a Qt lock while waiting
# for the GIL that the main thread held as it waited for that lock: the suite deadlocked. The
# hook below collects after every test instead, on the main thread.
gc.disable()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """Really delete the widgets a test leaves behind, then collect garbage on this thread.

    pytest-qt closes each test's widgets with ``deleteLater()``, but ``processEvents()`` never
    runs deferred deletions outside an event loop, so every window a test built stayed alive,
    with its application-wide event filters: each later window was slower to build (1.2 s
    growing to 5.7 s by the seventh) and every event went through all the old filters.
    """
    yield
    uses_qt = "qtbot" in item.fixturenames or "qapp" in item.fixturenames
    if uses_qt and "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # A full collection after Qt tests (their windows are cycles with pyqtgraph's parentless
    # menus); the young generations after the others, which is cheap.
    if uses_qt:
        gc.collect()
    else:
        gc.collect(1)


# A scripted run's watchdog ends the process with os._exit when it fires. One left armed by a
# test once fired seconds later, inside another test, and ended the whole run with status 0:
# CI reported success with the rest of the suite unrun. In the test process a firing watchdog
# is recorded instead, and the session fails naming it.
_hard_exits: list[int] = []


def pytest_configure(config):
    from sepconv_gui.ui.shell import scripted_run

    scripted_run.hard_exit = _hard_exits.append


def pytest_sessionfinish(session, exitstatus):
    if _hard_exits:
        print(
            f"\nA scripted run's watchdog tried to end the test process (exit codes "
            f"{_hard_exits}): a test left a real Watchdog armed; give it a stand-in.",
            file=sys.stderr,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
