/* lpgst codec adapter API, version 2 (pkg-config: lpgst-1.0).
 *
 * A codec adapter tells lpgst how to drive one encoder element: which codec it produces,
 * what its output caps and parser are, and how the standard rendition fields (bitrate,
 * keyframe interval, quality, speed preset, ...) map onto the element's properties. Once
 * registered, lprendition, lpladder, the transcoder's capability announcement and the
 * orchestrator's /v1/info all see it, and encoder=auto may pick it.
 *
 * A plain C ABI, so adapters can be written in C, C++ or anything that speaks C, and
 * stay loadable across lpgst releases: lpgst copies what it needs at registration and
 * never writes to the struct. Walkthrough: docs/writing-codec-plugins.md.
 */
#ifndef LPGST_CODEC_ADAPTER_H
#define LPGST_CODEC_ADAPTER_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* The struct layout this header describes; set LpCodecAdapter.api_version to it.
 * 1: up to user_data. 2: adds device_element. lpgst reads only
 * the fields of the version a struct declares, so adapters built for 1 keep working. */
#define LP_CODEC_ADAPTER_API_VERSION 2

/* Klass of the marker element factory lp_codec_adapter_register() adds to a plugin. lpgst
 * finds adapter plugins by this klass in the GStreamer registry (no plugin is loaded to
 * look) and loads them, which runs their plugin_init and so registers their adapters. */
#define LP_CODEC_ADAPTER_KLASS "Codec/Adapter/lpgst"

/* Ranks go from 0 to this. encoder=auto takes the highest-ranked installed adapter for
 * the profile's codec and never one of rank 0 (those are used only when named). The
 * in-tree software encoders have 100 (openh264: 50); a hardware encoder that should win
 * when present takes more (the in-tree NVENC adapters: 200). */
#define LP_CODEC_ADAPTER_RANK_MAX 1000

/* As profiles spell them in their "encoder" field: H.264, HEVC, VP8, VP9, AV1. */
typedef enum {
  LP_VIDEO_CODEC_H264,
  LP_VIDEO_CODEC_HEVC,
  LP_VIDEO_CODEC_VP8,
  LP_VIDEO_CODEC_VP9,
  LP_VIDEO_CODEC_AV1,
} LpVideoCodec;

/* What the encoder's sink pad takes. From system-memory input lpgst scales on the CPU and,
 * for CUDA adapters, uploads NV12 with cudaupload just before the encoder. From CUDA-memory
 * input (lpladder's cuda-device-id) it scales with cudaconvertscale and hands CUDA adapters
 * NV12 in CUDA memory directly; system-memory adapters get I420 through one cudadownload. */
typedef enum {
  LP_MEMORY_SYSTEM,
  LP_MEMORY_CUDA,
} LpMemoryKind;

/* Encoder effort, in x264's names (lprendition's speed-preset property). */
typedef enum {
  LP_SPEED_PRESET_ULTRAFAST,
  LP_SPEED_PRESET_SUPERFAST,
  LP_SPEED_PRESET_VERYFAST,
  LP_SPEED_PRESET_FASTER,
  LP_SPEED_PRESET_FAST,
  LP_SPEED_PRESET_MEDIUM,
  LP_SPEED_PRESET_SLOW,
  LP_SPEED_PRESET_SLOWER,
  LP_SPEED_PRESET_VERYSLOW,
} LpSpeedPreset;

/* go-livepeer's H.264 profiles (H264Baseline, ...); UNSET leaves the encoder's default. */
typedef enum {
  LP_H264_PROFILE_UNSET,
  LP_H264_PROFILE_BASELINE,
  LP_H264_PROFILE_MAIN,
  LP_H264_PROFILE_HIGH,
  LP_H264_PROFILE_CONSTRAINED_HIGH,
} LpH264Profile;

/* One rendition's encoding parameters, already resolved by lpgst (defaults applied). */
typedef struct {
  gint width; /* output picture size in pixels, both even */
  gint height;
  gint fps_n; /* constant output frame rate fps_n/fps_d */
  gint fps_d;
  gint bitrate;           /* target in bit/s, also the rate cap; 0 only in quality mode */
  gint keyframe_interval; /* frames from one keyframe to the next (1: every frame); must
                             come out exact: renditions of a ladder switch on keyframes */
  gint quality;           /* CRF in the encoder's own scale (x264/x265 0-51, libvpx/aom
                             cq-level 0-63, as ffmpeg's -crf); 0 = bitrate mode */
  LpSpeedPreset speed_preset;
  LpH264Profile h264_profile; /* H.264 adapters only */
  gint device;                /* accelerator index, -1 = the default one */
} LpEncodeSettings;

typedef struct _LpCodecAdapter LpCodecAdapter;

/* Sets `encoder`'s properties for `settings`. lpgst made the element from
 * LpCodecAdapter.element and has not linked it yet. Return FALSE with `error` set to
 * refuse the settings (the rendition then fails with that message). */
typedef gboolean (*LpConfigureEncoderFunc)(const LpCodecAdapter* adapter, GstElement* encoder,
                                           const LpEncodeSettings* settings, GError** error);

/* Optional: output caps that depend on the settings (H.264 profile), as a new reference.
 * They must be a subset of LpCodecAdapter.output_caps. */
typedef GstCaps* (*LpOutputCapsFunc)(const LpCodecAdapter* adapter, const LpEncodeSettings* settings);

/* Optional (api_version >= 2): the element factory that encodes on accelerator `device`
 * (LpEncodeSettings.device; -1 = the default one), as a new string that lpgst g_free()s, or
 * NULL when this adapter has no encoder on that device (it is then unavailable there, and
 * encoder=auto passes it over). For hardware whose elements are named per device, as
 * nvcodec's nvh264enc, nvh264device1enc, ... Called from any thread, often: keep it cheap. */
typedef gchar* (*LpDeviceElementFunc)(const LpCodecAdapter* adapter, gint device);

struct _LpCodecAdapter {
  guint api_version;    /* LP_CODEC_ADAPTER_API_VERSION */
  const gchar* name;    /* unique: the value of lprendition's/lpladder's encoder property;
                           letters, digits, '-', '_' and '.', at most 64 ("auto" is taken) */
  LpVideoCodec codec;   /* what it produces */
  const gchar* element; /* the encoder's element factory name, e.g. "x265enc" */
  gint rank;            /* 0 .. LP_CODEC_ADAPTER_RANK_MAX */
  LpMemoryKind memory;
  const gchar* output_caps;         /* caps between the encoder and the parser, e.g.
                                       "video/x-h265,stream-format=byte-stream,alignment=au";
                                       the media type must be the codec's */
  const gchar* parser;              /* parser element after the encoder ("h265parse"); required for
                                       H.264, HEVC, VP9 and AV1, NULL for VP8 (it has none) */
  LpConfigureEncoderFunc configure; /* required */
  LpOutputCapsFunc settings_caps;   /* optional, NULL: output_caps as they are */
  gpointer user_data;               /* yours; lpgst passes the adapter back to the callbacks */
  /* api_version >= 2 */
  LpDeviceElementFunc device_element; /* optional, NULL: `element` on every device */
};

#define LP_CODEC_ADAPTER_ERROR (lp_codec_adapter_error_quark())
GQuark lp_codec_adapter_error_quark(void);

typedef enum {
  LP_CODEC_ADAPTER_ERROR_INVALID,   /* a field is missing or wrong: the message says which */
  LP_CODEC_ADAPTER_ERROR_DUPLICATE, /* another adapter already has the name */
  LP_CODEC_ADAPTER_ERROR_VERSION,   /* api_version unknown to this lpgst */
} LpCodecAdapterError;

/* Registers `adapter` (lpgst copies it; yours can be a temporary) for `plugin`, normally
 * from the plugin's plugin_init. Also adds the marker element factory
 * "lpgst-adapters-<plugin name>" (klass LP_CODEC_ADAPTER_KLASS) to `plugin`, so the next
 * process finds the plugin. `plugin` may be NULL for an adapter that an application
 * links in. On FALSE `error` names the adapter, its plugin and what is wrong; the
 * refusal is also logged and reported by lpgst when no adapter serves a codec. Other
 * adapters are unaffected. Thread-safe; needs gst_init (plugin_init always runs after). */
gboolean lp_codec_adapter_register(GstPlugin* plugin, const LpCodecAdapter* adapter, GError** error);

/* Makes `encoder` (a GstVideoEncoder) start a keyframe every `interval` input frames,
 * counted from its first frame (and again after a flush), by sending it force-key-unit
 * events. For encoders whose own keyframe placement is not exact (libvpx adds keyframes at
 * scene cuts): turn that off and call this from `configure`. The encoder must output each
 * frame before taking `interval` more (GstVideoEncoder ignores a new request while the
 * last one is still inside the encoder): keep its lookahead below the interval (libvpx:
 * lag-in-frames < interval). */
gboolean lp_encoder_force_keyframes(GstElement* encoder, gint interval);

/* "H.264", "HEVC", "VP8", "VP9", "AV1"; NULL for a value outside LpVideoCodec. */
const gchar* lp_video_codec_name(LpVideoCodec codec);

/* "ultrafast" ... "veryslow" (x265enc's speed-preset takes the same names). */
const gchar* lp_speed_preset_name(LpSpeedPreset preset);

G_END_DECLS

#endif /* LPGST_CODEC_ADAPTER_H */
