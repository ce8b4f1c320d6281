{{>pip}}
# The wheel line rio chose for this host (or the operator set); `default` is PyPI's own wheels.
case {{torch}} in
  default) set -- ;;
  *) set -- --index-url "https://download.pytorch.org/whl/"{{torch}} ;;
esac
if [ -n {{torch_index_url}} ]; then set -- --index-url {{torch_index_url}}; fi
rio_pip install torch torchvision torchaudio "$@" || exit $?
# What was installed from where: the check compares it with what this host should have.
printf '%s\n' {{torch}} {{torch_index_url}} >{{install_dir}}/venv/.rio-torch.part &&
  mv -f {{install_dir}}/venv/.rio-torch.part {{install_dir}}/venv/.rio-torch
