"""`sepconv-gui` / `python -m sepconv_gui`: start the desktop app."""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__


def _window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (320 <= width <= 16384 and 240 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: a window from 320x240 to 16384x16384")
    return width, height


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sepconv-gui",
        description="See and measure normal, spatial-separable and depthwise-separable "
        "convolution.",
    )
    parser.add_argument("path", nargs="?", help="an image or video file to open")
    parser.add_argument(
        "--source",
        metavar="SPEC",
        help="pattern:640x480, camera:0, camera:0@1280x720 or video:PATH",
    )
    parser.add_argument(
        "--frames", type=int, metavar="N", help="scripted run: process N frames, then exit"
    )
    parser.add_argument(
        "--stats-json", metavar="PATH", help="scripted run: write FPS and latency percentiles here"
    )
    parser.add_argument(
        "--screenshot", metavar="PNG", help="scripted run: save the window after the last frame"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="scripted run: give up (exit code 4) after this long; default 300",
    )
    parser.add_argument("--design", metavar="JSON", help="a saved design to start with")
    parser.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode (F5): the input and one output large, full screen",
    )
    parser.add_argument(
        "--lesson",
        type=int,
        metavar="N",
        help="open step N of the guided lessons (Lessons menu) on the input",
    )
    parser.add_argument(
        "--window-size",
        metavar="WxH",
        type=_window_size,
        help="open the window at this size, e.g. 1280x720 (screenshots)",
    )
    parser.add_argument("--version", action="version", version=f"sepconv-gui {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation offscreen against the float64 reference; exit 0 if sound",
    )
    args = parser.parse_args(argv)
    if (args.stats_json or args.screenshot) and not args.frames:
        args.frames = 1
    if args.lesson is not None and args.lesson < 1:
        parser.error("--lesson counts from 1")
    if args.frames is not None and args.frames < 1:
        parser.error("--frames must be at least 1")
    if args.timeout is not None and not (args.frames and args.timeout > 0):
        parser.error("--timeout needs a scripted run (--frames N) and a positive number")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:
        from .ui.shell.self_test import run

        return run()
    from .app.preflight import ExitCode, Refused, check_inputs, one_line

    # Everything that can be refused is checked before a window (and its threads) exists; a
    # scripted run checks every input and output, since only its exit code reports back.
    try:
        inputs = check_inputs(
            design_path=args.design,
            source=args.source,
            path=args.path,
            scripted=bool(args.frames),
            stats_path=args.stats_json,
            screenshot_path=args.screenshot,
        )
    except Refused as refusal:
        print(f"sepconv-gui: {refusal}", file=sys.stderr)
        return refusal.code
    # Qt is imported only now, so --help, --version and refusals work without a display.
    from PySide6.QtWidgets import QApplication

    from .app.settings import configure, use_throwaway_scope

    configure()
    if args.frames:  # a scripted run reads the user's settings but never writes them
        use_throwaway_scope()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from .app.gc_guard import collect_on_gui_thread

    collect_on_gui_thread(app)
    from .ui.shell.main_window import MainWindow
    from .ui.shell.scripted_run import DEFAULT_TIMEOUT_S, ScriptedRun, check_screenshot_format

    if args.screenshot:
        try:
            check_screenshot_format(args.screenshot)
        except Refused as refusal:
            print(f"sepconv-gui: {refusal}", file=sys.stderr)
            return refusal.code
    try:
        window = MainWindow(design=inputs.design, open_default=not (args.path or args.source))
    except Exception as error:  # noqa: BLE001 - a verdict instead of a traceback and abort
        print(
            f"sepconv-gui: could not start: {type(error).__name__}: {one_line(error)}",
            file=sys.stderr,
            flush=True,
        )
        # The half-built window's worker thread is running; a normal exit would abort on it.
        os._exit(ExitCode.FAILED)
    if args.frames:  # before the input opens, so a failure to open it ends the run too
        window.scripted_run = ScriptedRun(
            window,
            args.frames,
            args.stats_json,
            args.screenshot,
            args.timeout or DEFAULT_TIMEOUT_S,
        )
    spec = inputs.spec
    if args.source and spec.kind == "image":
        window.open_path(spec.argument)
    elif args.source:
        window.start_source(spec)
    elif args.path:
        window.open_path(args.path)
    if args.window_size:
        window.resize(*args.window_size)
    window.show()
    if args.lesson:
        steps = len(window.lessons.steps) if window.lessons is not None else 0
        if args.lesson > steps:
            print(
                f"sepconv-gui: there are {steps} lesson steps, not {args.lesson}", file=sys.stderr
            )
        else:
            window.lessons.go(args.lesson - 1)
    if args.presentation:
        window.presentation.enter()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
