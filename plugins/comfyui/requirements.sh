if [ -n {{torch_index_url}} ]; then
  venv/bin/python -m pip install --upgrade torch torchvision torchaudio --index-url {{torch_index_url}} || exit $?
fi
venv/bin/python -m pip install -r requirements.txt
