"""`sepconv-gui` / `python -m sepconv_gui`: start the desktop app."""

from __future__ import annotations

import argparse
import sys

from . import __version__


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
    parser.add_argument("--design", metavar="JSON", help="a saved design to start with")
    parser.add_argument("--version", action="version", version=f"sepconv-gui {__version__}")
    args = parser.parse_args(argv)
    if (args.stats_json or args.screenshot) and not args.frames:
        args.frames = 1
    if args.frames is not None and args.frames < 1:
        parser.error("--frames must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Qt is imported only now, so --help and --version work without a display.
    from PySide6.QtWidgets import QApplication

    from .app.settings import configure
    from .app.sources import SourceSpec, make_source
    from .app.state import Design, DesignError

    configure()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from .ui.shell.main_window import MainWindow
    from .ui.shell.scripted_run import ScriptedRun

    # Everything that can be refused is checked before a window (and its threads) exists.
    design = spec = None
    if args.design:
        try:
            design = Design.from_file(args.design)  # size-capped before reading
        except (OSError, UnicodeDecodeError, DesignError) as error:
            print(f"sepconv-gui: cannot use design {args.design}: {error}", file=sys.stderr)
            return 2
    if args.source:
        try:
            spec = SourceSpec.parse(args.source)
            if spec.kind != "image":
                make_source(spec)  # checks sizes, rates and device numbers; opens nothing
        except ValueError as error:
            print(f"sepconv-gui: {error}", file=sys.stderr)
            return 2
    window = MainWindow(design=design, open_default=not (args.path or args.source))
    if spec is not None and spec.kind == "image":
        window.open_path(spec.argument)
    elif spec is not None:
        window.start_source(spec)
    elif args.path:
        window.open_path(args.path)
    if args.frames:
        window.scripted_run = ScriptedRun(window, args.frames, args.stats_json, args.screenshot)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
