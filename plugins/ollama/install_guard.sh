if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo 'rio: the Ollama installer needs root or passwordless sudo' >&2; exit 1
fi
if [ {{gpu_drivers}} != true ] && ! nvidia-smi >/dev/null 2>&1 &&
   { lspci -n 2>/dev/null | grep -q ' 03[0-9][0-9]: 10de:' ||
     grep -qsx 0x10de /sys/bus/pci/devices/*/vendor; }; then
  echo 'rio: this host has an NVIDIA GPU without a working driver; the Ollama installer would install drivers. Install the driver first, or set option gpu_drivers=true' >&2; exit 1
fi
