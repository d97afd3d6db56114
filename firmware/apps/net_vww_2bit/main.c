/* net_vww_2bit: a MobileNetV3-Small 0.25 visual wake words network at 256x256x3 with 2-bit
 * packed weights and int8 activations (firmware/models/vww_2bit.py), on one synthetic image.
 * nn_run() copies the frame into the arena (AXI SRAM), marks every layer
 * (MCUSIM_LAYER_BEGIN/END); this prints the output and its checksum and exits 0 iff the output
 * equals the NumPy reference (see nn/nn_app.h). */
#include "model.h"
#include "nn_app.h"
