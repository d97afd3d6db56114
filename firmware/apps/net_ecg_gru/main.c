/* net_ecg_gru: the ECG conv + inception + GRU classifier (firmware/models/ecg_gru.py) on one
 * synthetic ECG trace. Marks every layer (MCUSIM_LAYER_BEGIN/END), prints the output and its
 * checksum, exits 0 iff the output equals the NumPy reference (see nn/nn_app.h). */
#include "model.h"
#include "nn_app.h"
