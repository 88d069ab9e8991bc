"""Entry script of the PyInstaller bundle: the same main() as the installed `sepconv-gui`.

In the bundle, `--self-test` checks two more things after the app's own self-test, because
the bundle leaves parts of its dependencies out (packaging/slimming.py) and always ships the
`models` extra: the FFT path of normal convolution (scipy.fft, the one part of scipy kept)
against the float64 reference, and File > Open model's stack (the sample model read with onnx,
a deeper layer's real input computed by onnxruntime). It prints one more line.
"""

import sys

from sepconv_gui.__main__ import main


def check_fft() -> str:
    import numpy as np

    from sepconv_gui.engine import normal_conv, reference

    rng = np.random.default_rng(7)
    image = rng.random((40, 56, 3), dtype=np.float32)
    weights = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    result = normal_conv(image, weights, algorithm="fft")
    error = float(np.max(np.abs(result.output - reference.normal(image, weights))))
    if not error < 1e-3:  # float32 FFT of 243 taps per output: ~1e-5 expected
        raise RuntimeError(f"the FFT path differs from the float64 reference by {error:.3g}")
    return f"fft path within {error:.1g} of the reference"


def check_models() -> str:
    import numpy as np

    from sepconv_gui.app.model_session import ModelSession
    from sepconv_gui.io.model_activations import LayerActivations, preprocess_for

    model = ModelSession.open_sample().model
    deep = [layer for layer in model.layers if layer.input_name and layer.in_channels > 3]
    if not deep:
        raise RuntimeError(f"the sample model {model.name} shows no deeper layer")
    layer = deep[len(deep) // 2]
    prep = preprocess_for(model.path, model.input_size)
    frame = np.random.default_rng(3).integers(0, 256, (120, 160, 3)).astype(np.float32)
    activations = LayerActivations(model.path, layer.input_name, prep)(frame)
    if activations.ndim != 3 or activations.shape[2] != layer.in_channels:
        raise RuntimeError(
            f"onnxruntime gave {activations.shape} for {layer.name}'s input, "
            f"expected {layer.in_channels} channels"
        )
    if not np.isfinite(activations).all():
        raise RuntimeError(f"onnxruntime gave non-finite values for {layer.name}'s input")
    return (
        f"{model.name}: {len(model.layers)} layers read by onnx, {layer.name}'s input "
        f"{activations.shape} computed by onnxruntime"
    )


def bundle_self_test() -> int:
    try:
        found = [check_fft(), check_models()]
    except Exception as error:  # noqa: BLE001 - the verdict is one line, as the self-test's
        print(f"bundle self-test FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"bundle self-test passed: {'; '.join(found)}", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    if code == 0 and "--self-test" in sys.argv[1:]:
        code = bundle_self_test()
    sys.exit(code)
