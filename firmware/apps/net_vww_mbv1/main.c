/* net_vww_mbv1: MobileNetV1 0.25 at 96x96x3, the MLPerf Tiny visual wake words model
 * (firmware/models/vww_mbv1.py), on one synthetic image. Marks every layer
 * (MCUSIM_LAYER_BEGIN/END), prints the output and its checksum, exits 0 iff the output equals
 * the NumPy reference (see nn/nn_app.h). */
#include "model.h"
#include "nn_app.h"
