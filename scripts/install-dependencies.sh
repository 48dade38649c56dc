#!/usr/bin/env bash
# Installs what tramite needs on a Debian machine (as root), skipping what is
# already there: build tools, clang for bindgen, tesseract with English and
# Spanish data, poppler-utils (pdftoppm renders the scanned PDF pages that are
# not one image), qpdf (the tests make an encrypted PDF with it), and Rust.
set -euo pipefail

packages=(pkg-config clang libclang-dev libtesseract-dev libleptonica-dev
          tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-osd poppler-utils qpdf bc time ca-certificates curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # apt has failed once here with a transient dpkg error: try again before giving up.
  for attempt in 1 2 3; do
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      break
    fi
    [ "$attempt" = 3 ] && { echo "apt-get install failed three times" >&2; exit 1; }
    sleep 5
  done
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  export PATH="$HOME/.cargo/bin:$PATH"
fi
