/* net_kws_dscnn: the MLPerf Tiny KWS DS-CNN (firmware/models/kws_dscnn.py) on one input vector.
 * Marks every layer (MCUSIM_LAYER_BEGIN/END), prints the output and its checksum, exits 0 iff
 * the output equals the NumPy reference (see nn/nn_app.h). */
#include "model.h"
#include "nn_app.h"
