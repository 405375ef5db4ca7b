// Every WGSL source under shaders/, keyed by its path relative to shaders/. Imported as text so the
// Node build, the browser bundle and the tests all carry the same sources
// (test/gpu/pipeline-cache.test.ts checks that this list matches the directory).
import benchCopy from '../../shaders/bench/copy.wgsl';
import benchFmaPeak from '../../shaders/bench/fma_peak.wgsl';
import probeLoad from '../../shaders/probe/load_probe.wgsl';
import clmCommon from '../../shaders/clm/common.wgsl';
import clmFit from '../../shaders/clm/clm_fit.wgsl';
import clmPatches from '../../shaders/clm/clm_patches.wgsl';
import clmResponse from '../../shaders/clm/clm_response.wgsl';
import clmStats from '../../shaders/clm/clm_stats.wgsl';
import ccnfResponse from '../../shaders/clm/ccnf_response.wgsl';
import clmPdm2d from '../../shaders/clm/pdm2d.wgsl';
import clmPdm3d from '../../shaders/clm/pdm3d.wgsl';
import activation from '../../shaders/common/activation.wgsl';
import indexing from '../../shaders/common/indexing.wgsl';
import enableF16 from '../../shaders/common/enable_f16.wgsl';
import halfLoad from '../../shaders/common/half_load.wgsl';
import halfLoad1 from '../../shaders/common/half_load_1.wgsl';
import halfLoad4 from '../../shaders/common/half_load4.wgsl';
import halfStore from '../../shaders/common/half_store.wgsl';
import enableSubgroups from '../../shaders/common/enable_subgroups.wgsl';
import conv2d from '../../shaders/conv/conv2d.wgsl';
import depthwise from '../../shaders/conv/depthwise.wgsl';
import convEpilogue from '../../shaders/conv/epilogue.wgsl';
import convFinish from '../../shaders/conv/finish.wgsl';
import conv2dTiled from '../../shaders/conv/conv2d_tiled.wgsl';
import depthwiseRows from '../../shaders/conv/depthwise_rows.wgsl';
import depthwiseTiled from '../../shaders/conv/depthwise_tiled.wgsl';
import convTranspose from '../../shaders/conv/conv_transpose.wgsl';
import convTranspose2x2 from '../../shaders/conv/conv_transpose_2x2.wgsl';
import batchArgs from '../../shaders/dispatch/batch_args.wgsl';
import pixels from '../../shaders/image/pixels.wgsl';
import resampleArea from '../../shaders/image/resample_area.wgsl';
import resampleBilinear from '../../shaders/image/resample_bilinear.wgsl';
import resizeBilinear from '../../shaders/image/resize_bilinear.wgsl';
import candidate from '../../shaders/postprocess/candidate.wgsl';
import ccl from '../../shaders/postprocess/ccl.wgsl';
import dbBoxes from '../../shaders/postprocess/db_boxes.wgsl';
import detection from '../../shaders/postprocess/detection.wgsl';
import gridDecode from '../../shaders/postprocess/grid_decode.wgsl';
import gridNms from '../../shaders/postprocess/grid_nms.wgsl';
import nms from '../../shaders/postprocess/nms.wgsl';
import pnetCandidates from '../../shaders/postprocess/pnet_candidates.wgsl';
import refinePack from '../../shaders/postprocess/refine_pack.wgsl';
import scan from '../../shaders/postprocess/scan.wgsl';
import scoreFilter from '../../shaders/postprocess/score_filter.wgsl';
import sort from '../../shaders/postprocess/sort.wgsl';
import batchnorm from '../../shaders/elementwise/batchnorm.wgsl';
import binary from '../../shaders/elementwise/binary.wgsl';
import binaryVec4 from '../../shaders/elementwise/binary_vec4.wgsl';
import combine from '../../shaders/elementwise/combine.wgsl';
import prelu from '../../shaders/elementwise/prelu.wgsl';
import unary from '../../shaders/elementwise/unary.wgsl';
import concat from '../../shaders/layout/concat.wgsl';
import resize from '../../shaders/layout/resize.wgsl';
import resizeNearestUp from '../../shaders/layout/resize_nearest_up.wgsl';
import transpose from '../../shaders/layout/transpose.wgsl';
import gemm from '../../shaders/matmul/gemm.wgsl';
import gemmEpilogue from '../../shaders/matmul/gemm_epilogue.wgsl';
import gemmTiled from '../../shaders/matmul/gemm_tiled.wgsl';
import maxpool from '../../shaders/pool/maxpool.wgsl';
import globalAvgPool from '../../shaders/reduce/global_avg_pool.wgsl';
import softmax from '../../shaders/reduce/softmax.wgsl';

export const shaderFiles: Readonly<Record<string, string>> = {
  'bench/copy.wgsl': benchCopy,
  'bench/fma_peak.wgsl': benchFmaPeak,
  'probe/load_probe.wgsl': probeLoad,
  'clm/common.wgsl': clmCommon,
  'clm/clm_fit.wgsl': clmFit,
  'clm/clm_patches.wgsl': clmPatches,
  'clm/clm_response.wgsl': clmResponse,
  'clm/clm_stats.wgsl': clmStats,
  'clm/ccnf_response.wgsl': ccnfResponse,
  'clm/pdm2d.wgsl': clmPdm2d,
  'clm/pdm3d.wgsl': clmPdm3d,
  'common/activation.wgsl': activation,
  'common/indexing.wgsl': indexing,
  'common/enable_f16.wgsl': enableF16,
  'common/half_load.wgsl': halfLoad,
  'common/half_load_1.wgsl': halfLoad1,
  'common/half_load4.wgsl': halfLoad4,
  'common/half_store.wgsl': halfStore,
  'common/enable_subgroups.wgsl': enableSubgroups,
  'conv/conv2d.wgsl': conv2d,
  'conv/depthwise.wgsl': depthwise,
  'conv/epilogue.wgsl': convEpilogue,
  'conv/finish.wgsl': convFinish,
  'conv/conv2d_tiled.wgsl': conv2dTiled,
  'conv/depthwise_rows.wgsl': depthwiseRows,
  'conv/depthwise_tiled.wgsl': depthwiseTiled,
  'conv/conv_transpose.wgsl': convTranspose,
  'conv/conv_transpose_2x2.wgsl': convTranspose2x2,
  'dispatch/batch_args.wgsl': batchArgs,
  'image/pixels.wgsl': pixels,
  'image/resample_area.wgsl': resampleArea,
  'image/resample_bilinear.wgsl': resampleBilinear,
  'image/resize_bilinear.wgsl': resizeBilinear,
  'postprocess/candidate.wgsl': candidate,
  'postprocess/ccl.wgsl': ccl,
  'postprocess/db_boxes.wgsl': dbBoxes,
  'postprocess/detection.wgsl': detection,
  'postprocess/grid_decode.wgsl': gridDecode,
  'postprocess/grid_nms.wgsl': gridNms,
  'postprocess/nms.wgsl': nms,
  'postprocess/pnet_candidates.wgsl': pnetCandidates,
  'postprocess/refine_pack.wgsl': refinePack,
  'postprocess/scan.wgsl': scan,
  'postprocess/score_filter.wgsl': scoreFilter,
  'postprocess/sort.wgsl': sort,
  'elementwise/batchnorm.wgsl': batchnorm,
  'elementwise/binary.wgsl': binary,
  'elementwise/binary_vec4.wgsl': binaryVec4,
  'elementwise/combine.wgsl': combine,
  'elementwise/prelu.wgsl': prelu,
  'elementwise/unary.wgsl': unary,
  'layout/concat.wgsl': concat,
  'layout/resize.wgsl': resize,
  'layout/resize_nearest_up.wgsl': resizeNearestUp,
  'layout/transpose.wgsl': transpose,
  'matmul/gemm.wgsl': gemm,
  'matmul/gemm_epilogue.wgsl': gemmEpilogue,
  'matmul/gemm_tiled.wgsl': gemmTiled,
  'pool/maxpool.wgsl': maxpool,
  'reduce/global_avg_pool.wgsl': globalAvgPool,
  'reduce/softmax.wgsl': softmax,
};
