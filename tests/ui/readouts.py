"""Helpers shared by the widget tests: what a pixel readout should show."""


def every_array(result):
    """Every array a pixel readout shows, by its row name, in display order."""
    return {
        "Input": result.image,
        "Normal out": result.results["normal"].output,
        "Spatial vertical": result.results["spatial"].stages["vertical"],
        "Spatial out": result.results["spatial"].output,
        "Depthwise maps": result.results["depthwise"].stages["depthwise"],
        "Depthwise out": result.results["depthwise"].output,
    }
